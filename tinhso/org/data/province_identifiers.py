"""Level-1 electronic identifier codes (QĐ 20/2020/QĐ-TTg) of provincial People's Committees.

Sources and decisions:
- QĐ 20/2020/QĐ-TTg (22/7/2020), Phụ lục: level-1 codes H01…H63 for the 63 provinces of the time, in the order of
  their names. Codes confirmed by published agency codes: H22 Hà Giang, H31 Hưng Yên, H49 Quảng Ninh,
  H54 Thái Bình, H56 Thanh Hóa, H60 Tuyên Quang.
- The order is that of the names written without diacritics: Bà Rịa – Vũng Tàu H02 before Bắc Giang H03, and
  Bạc Liêu H05 after Bắc Kạn H04 (a Vietnamese-alphabet order would put "Bạc" before "Bắc"). Written so,
  "Ho Chi Minh" sorts before "Hoa Binh": Hồ Chí Minh is H29 and Hòa Bình H30. The procedure codes Hồ Chí Minh
  City publishes end in ".H29", which confirms it; this file said H30 before (decided: H29, issue 8 point 6).
- QĐ 09/2025/QĐ-TTg amends QĐ 20/2020/QĐ-TTg for the 34 provinces from 1/7/2025; a merged province keeps the
  level-1 code of the province whose name and seat it keeps (Tuyên Quang H60 after absorbing Hà Giang, Hưng Yên
  H31 after absorbing Thái Bình). [to check: the amended appendix itself]
- Cà Mau H12, Cần Thơ H13, Cao Bằng H14 (this file had Cao Bằng H13 and Cần Thơ H14, the Vietnamese-alphabet order
  of these three alone): published edXML samples of the national document exchange address UBND tỉnh Cao Bằng as
  `000.00.00.H14` (and UBND tỉnh Nghệ An as `000.00.00.H41`, as here), e.g. github.com/tungsfer512/ss_adapter,
  ssadapter/src/main/java/vn/ript/ssadapter/utils/EdXMLBuild.java, which is the order without diacritics
  ("Ca Mau" < "Can Tho" < "Cao Bang") that every other code follows. Cần Thơ H13 is inferred from that order
  [to check against a published Cần Thơ code].
The others follow the same order and are [to check] against the Ministry's current list — an installation can
override its own with `tinhso demo --identifier-prefix`.
Keys are GSO codes: current (2025) codes for the 34 provinces, legacy codes for provinces merged in 2025.
"""

CURRENT_PROVINCE_PREFIX = {
    "01": "H24", "04": "H14", "08": "H60", "11": "H18", "12": "H35", "14": "H52", "15": "H38", "19": "H55",
    "20": "H37", "22": "H49", "24": "H06", "25": "H44", "31": "H27", "33": "H31", "37": "H42", "38": "H56",
    "40": "H41", "42": "H25", "44": "H50", "46": "H57", "48": "H15", "51": "H48", "52": "H21", "56": "H32",
    "66": "H16", "68": "H36", "75": "H19", "79": "H29", "80": "H53", "82": "H20", "86": "H61", "91": "H01",
    "92": "H13", "96": "H12",
}

# Legacy provinces (before 1 July 2025) by their old GSO code, in the same alphabetical numbering.
LEGACY_PROVINCE_PREFIX = {
    "89": "H01", "77": "H02", "24": "H03", "06": "H04", "95": "H05", "27": "H06", "83": "H07", "52": "H08",
    "74": "H09", "70": "H10", "60": "H11", "96": "H12", "92": "H13", "04": "H14", "48": "H15", "66": "H16",
    "67": "H17", "11": "H18", "75": "H19", "87": "H20", "64": "H21", "02": "H22", "35": "H23", "01": "H24",
    "42": "H25", "30": "H26", "31": "H27", "93": "H28", "79": "H29", "17": "H30", "33": "H31", "56": "H32",
    "91": "H33", "62": "H34", "12": "H35", "68": "H36", "20": "H37", "10": "H38", "80": "H39", "36": "H40",
    "40": "H41", "37": "H42", "58": "H43", "25": "H44", "54": "H45", "44": "H46", "49": "H47", "51": "H48",
    "22": "H49", "45": "H50", "94": "H51", "14": "H52", "72": "H53", "34": "H54", "19": "H55", "38": "H56",
    "46": "H57", "82": "H58", "84": "H59", "08": "H60", "86": "H61", "26": "H62", "15": "H63",
}
