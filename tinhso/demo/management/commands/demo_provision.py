from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.demo.provision import DEFAULT_PROVINCE, DEMO_PASSWORD, provision


class Command(BaseCommand):
    help = "Tạo tỉnh mẫu: đơn vị hành chính, cơ quan, tổ công nghệ số cộng đồng, tài khoản mẫu."

    def add_arguments(self, parser):
        parser.add_argument("--province", default=DEFAULT_PROVINCE, help="Mã tỉnh (Tổng cục Thống kê), mặc định 38")
        parser.add_argument("--identifier-prefix", default="", help="Mã định danh cấp 1 của UBND tỉnh, ví dụ H56")

    def handle(self, *args, province, identifier_prefix, **options):
        try:
            result = provision(province_code=province, identifier_prefix=identifier_prefix)
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        verb = "đã có sẵn" if result.already else "đã tạo"
        self.stdout.write(f"Tỉnh mẫu {result.province.name} {verb}: {result.communes} xã, phường, đặc khu; "
                          f"{result.agencies} cơ quan.")
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, scope in result.logins:
            self.stdout.write(f"  {username:<16} {role}{' — ' + scope if scope else ''}")
        if result.token:
            self.stdout.write("")
            self.stdout.write(f"Mã truy cập API của tài khoản hethong (chỉ hiện một lần): {result.token}")
        for client in result.gateway:
            self.stdout.write("")
            self.stdout.write(f"Hệ thống kết nối trục liên thông: {client.name} ({client.kind.lower()}), "
                              f"dịch vụ: {', '.join(client.services)}")
            self.stdout.write(f"  mã truy cập (chỉ hiện một lần): {client.token}")
            if client.client_id:
                self.stdout.write(f"  OAuth2 client_id: {client.client_id}  client_secret: {client.client_secret}")
            self.stdout.write(f"  thử: curl -H 'Authorization: Bearer {client.token}' "
                              f"http://127.0.0.1:8000{client.try_path}")
