"""The provincial agencies a demo province gets (after the 2025 reorganisation of departments).

Keys are stable: the procedure catalogue names its implementing agencies by them.
Level-2 numbers are this project's own allocation inside the province's `000.00.ZZ.Hnn` space.
"""

PROVINCIAL_DEPARTMENTS = [
    # key, name template ({p} = province short name), short name, level-2 number
    ("so_noi_vu", "Sở Nội vụ tỉnh {p}", "SNV", "02"),
    ("so_tu_phap", "Sở Tư pháp tỉnh {p}", "STP", "03"),
    ("so_tai_chinh", "Sở Tài chính tỉnh {p}", "STC", "04"),
    ("so_cong_thuong", "Sở Công Thương tỉnh {p}", "SCT", "05"),
    ("so_nong_nghiep_moi_truong", "Sở Nông nghiệp và Môi trường tỉnh {p}", "SNNMT", "06"),
    ("so_xay_dung", "Sở Xây dựng tỉnh {p}", "SXD", "07"),
    ("so_khoa_hoc_cong_nghe", "Sở Khoa học và Công nghệ tỉnh {p}", "SKHCN", "08"),
    ("so_giao_duc_dao_tao", "Sở Giáo dục và Đào tạo tỉnh {p}", "SGDĐT", "09"),
    ("so_y_te", "Sở Y tế tỉnh {p}", "SYT", "10"),
    ("so_van_hoa_the_thao_du_lich", "Sở Văn hóa, Thể thao và Du lịch tỉnh {p}", "SVHTTDL", "11"),
    ("so_dan_toc_ton_giao", "Sở Dân tộc và Tôn giáo tỉnh {p}", "SDTTG", "12"),
    ("so_ngoai_vu", "Sở Ngoại vụ tỉnh {p}", "SNgV", "13"),
    ("thanh_tra_tinh", "Thanh tra tỉnh {p}", "TTr", "14"),
    ("ban_quan_ly_kkt", "Ban Quản lý khu kinh tế và các khu công nghiệp tỉnh {p}", "BQLKKT", "15"),
    ("cong_an_tinh", "Công an tỉnh {p}", "CAT", "16"),
    ("bhxh_tinh", "Bảo hiểm xã hội tỉnh {p}", "BHXH", "17"),
    ("thue_tinh", "Thuế tỉnh {p}", "THUE", "18"),
    ("dai_phat_thanh", "Đài Phát thanh và Truyền hình tỉnh {p}", "PTTH", "19"),
    ("ban_dan_dung", "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh {p}", "BQLDA", "20"),
    ("trung_tam_cds", "Trung tâm Chuyển đổi số tỉnh {p}", "TTCĐS", "21"),
]

COMMITTEE_KEY = "ubnd_tinh"
OFFICE_KEY = "van_phong_ubnd"
SERVICE_CENTRE_KEY = "trung_tam_phvcc"
COMMUNE_KEY = "ubnd_xa"
# Commune People's Committees: level 2 from 50 up (blocks of 99 communes), level 3 = position in the block.
COMMUNE_LEVEL2_START = 50
