"""The `tinhso` command: a friendly face on Django's management commands.

  tinhso demo [--province CODE] [--port N] [--no-serve]
  tinhso serve [--port N]
  tinhso audit verify
  tinhso report dossiers (--agency ID | --unit CODE) --from YYYY-MM-DD --to YYYY-MM-DD [--format json|xlsx]
  tinhso import dossiers FILE
  tinhso indicators status --unit CODE --year YYYY [--format json|table]
  tinhso manage <django management command ...>
"""

import argparse
import atexit
import os
import subprocess
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
    import django
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    django.setup()


def _call(*args, **kwargs) -> None:
    from django.core.management import call_command

    call_command(*args, **kwargs)


def gunicorn_argv(*, host: str, port: int, chdir: str, app: str = "tinhso.config.wsgi:application") -> list[str]:
    # gunicorn 27 opens a control socket at one fixed path in the home directory (~/.gunicorn/gunicorn.ctl), shared
    # by every instance: one instance's shutdown removed another's. Nothing here uses it, so it is off.
    return ["gunicorn", app, "--bind", f"{host}:{port}",
            "--workers", os.environ.get("TINHSO_WORKERS", "2"), "--threads", "4",
            "--access-logfile", "-", "--chdir", chdir, "--no-control-socket"]


def _serve(port: int, host: str = "127.0.0.1") -> int:
    from django.conf import settings

    _call("migrate", interactive=False, verbosity=0)
    print(f"Tỉnh Số đang chạy tại http://{host}:{port}/  (Ctrl+C để dừng)", flush=True)
    argv = gunicorn_argv(host=host, port=port, chdir=str(settings.PROJECT_DIR))
    from gunicorn.app.wsgiapp import run

    # Background jobs (indicator refreshes after dossier changes, ...) run in a db_worker beside the web server.
    worker = None
    if os.environ.get("TINHSO_NO_WORKER") != "1":
        worker = subprocess.Popen([sys.executable, "-m", "tinhso.cli", "manage", "db_worker"],
                                  stdout=subprocess.DEVNULL)
        atexit.register(_stop, worker)
    sys.argv = argv
    try:
        return run()
    finally:
        if worker is not None:
            _stop(worker)


def _print_outboxes() -> None:
    from django.conf import settings

    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(f"Thư điện tử thông báo được ghi vào thư mục: {settings.EMAIL_FILE_PATH}")
    if settings.TINHSO_SMS_PROVIDER == "file":
        print(f"Tin nhắn SMS (kể cả mã xác nhận) được ghi vào thư mục: {settings.TINHSO_SMS_DIR}")
    from tinhso.payments.conf import simulator_enabled

    if simulator_enabled():
        print("Thanh toán trực tuyến: cổng VNPAY mô phỏng tại /thanh-toan/mo-phong-vnpay/ (không có tiền thật); "
              "để dùng VNPAY thật hãy đặt TINHSO_VNPAY_TMN_CODE, TINHSO_VNPAY_HASH_SECRET, TINHSO_VNPAY_URL.")


def _stop(process: "subprocess.Popen") -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tinhso", description="Tỉnh Số — nền tảng chính quyền số cấp tỉnh")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="Tạo cơ sở dữ liệu, nạp tỉnh mẫu và chạy máy chủ")
    demo.add_argument("--province", default="38", help="Mã tỉnh (mặc định 38 — Thanh Hóa)")
    demo.add_argument("--identifier-prefix", default="", help="Mã định danh cấp 1 của UBND tỉnh (ví dụ H56)")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="Chỉ nạp dữ liệu, không chạy máy chủ")

    serve = sub.add_parser("serve", help="Chạy máy chủ web")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")

    audit = sub.add_parser("audit", help="Nhật ký kiểm toán")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_verify = audit_sub.add_parser("verify", help="Kiểm tra chuỗi băm của nhật ký")
    audit_verify.add_argument("--head", default="", help="Đầu chuỗi đã lưu nơi khác (SỐ_SỰ_KIỆN:MÃ_BĂM)")
    audit_sub.add_parser("head", help="In đầu chuỗi (số sự kiện và mã băm) để lưu nơi khác")
    audit_sub.add_parser("rekey", help="Ký lại chuỗi cũ (trước khi có khóa kiểm toán) bằng khóa")

    report = sub.add_parser("report", help="Báo cáo, thống kê")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    report_dossiers = report_sub.add_parser("dossiers", help="Thống kê hồ sơ TTHC theo Biểu II.06a (JSON, xlsx)")
    scope = report_dossiers.add_mutually_exclusive_group(required=True)
    scope.add_argument("--agency", help="Mã định danh của cơ quan")
    scope.add_argument("--unit", help="Mã đơn vị hành chính (gồm cả cấp dưới)")
    report_dossiers.add_argument("--from", dest="date_from", required=True, help="Từ ngày YYYY-MM-DD")
    report_dossiers.add_argument("--to", dest="date_to", required=True, help="Đến ngày YYYY-MM-DD")
    report_dossiers.add_argument("--format", choices=["json", "xlsx", "csv"], default="json")
    report_dossiers.add_argument("--group-by", choices=["agency", "unit", "procedure", "field", "none"],
                                 default="agency")
    report_dossiers.add_argument("--output", default="", help="Tệp kết quả (bắt buộc với xlsx)")

    import_ = sub.add_parser("import", help="Nhập dữ liệu từ tệp")
    import_sub = import_.add_subparsers(dest="import_command", required=True)
    import_dossiers = import_sub.add_parser("dossiers", help="Nhập lịch sử hồ sơ từ hệ thống cũ (.csv, .jsonl)")
    import_dossiers.add_argument("file")

    indicators = sub.add_parser("indicators", help="Chỉ số chuyển đổi số")
    indicators_sub = indicators.add_subparsers(dest="indicators_command", required=True)
    indicators_status = indicators_sub.add_parser("status", help="Trạng thái chỉ tiêu của đơn vị so với mục tiêu")
    indicators_status.add_argument("--unit", required=True, help="Mã đơn vị (ví dụ 38, cu-34)")
    indicators_status.add_argument("--year", type=int, required=True)
    indicators_status.add_argument("--format", choices=["json", "table"], default="json")

    manage = sub.add_parser("manage", help="Chạy một lệnh quản trị Django", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)

    args = parser.parse_args(argv)
    if args.command in ("demo", "serve"):
        # Persistent database connections: opening one per request costs more than most requests (docs/scaling.md).
        os.environ.setdefault("TINHSO_DB_CONN_MAX_AGE", "60")
    if args.command == "demo":
        # The demo sends nothing out: e-mails and SMS are written to files under var/ (printed below).
        os.environ.setdefault("TINHSO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        os.environ.setdefault("TINHSO_SMS_PROVIDER", "file")
        # Online payment goes to the platform's simulated VNPAY gateway unless a real terminal is configured.
        os.environ.setdefault("TINHSO_VNPAY_SIMULATOR", "1")
    _setup()
    from django.core.management.base import CommandError

    try:
        if args.command == "demo":
            _call("migrate", interactive=False, verbosity=0)
            _call("demo_provision", province=args.province, identifier_prefix=args.identifier_prefix)
            _print_outboxes()
            if not args.no_serve:
                return _serve(args.port)
        elif args.command == "serve":
            return _serve(args.port, args.host)
        elif args.command == "audit" and args.audit_command == "head":
            _call("audit_head")
        elif args.command == "audit" and args.audit_command == "rekey":
            _call("audit_rekey")
        elif args.command == "audit":
            _call("audit_verify", head=args.head)
        elif args.command == "report" and args.report_command == "dossiers":
            _call("report_dossiers", agency=args.agency or "", unit=args.unit or "", date_from=args.date_from,
                  date_to=args.date_to, format=args.format, group_by=args.group_by, output=args.output)
        elif args.command == "import" and args.import_command == "dossiers":
            _call("import_dossiers", args.file)
        elif args.command == "indicators" and args.indicators_command == "status":
            _call("indicators_status", unit=args.unit, year=args.year, format=args.format)
        elif args.command == "manage":
            from django.core.management import execute_from_command_line

            execute_from_command_line(["tinhso manage", *args.args])
    except CommandError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
