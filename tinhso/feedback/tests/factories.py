import io

from PIL import Image


def jpeg_with_gps() -> bytes:
    """A small JPEG whose EXIF carries a GPS position and a camera owner."""
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = "Nguyễn Văn A"  # Artist
    gps = {1: "N", 2: (19.0, 51.0, 0.0), 3: "E", 4: (105.0, 51.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()
