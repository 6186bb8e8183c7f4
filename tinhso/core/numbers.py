"""Vietnamese number display, one rule for pages, exports and messages: dots group thousands, a comma marks the
decimals, at most two decimals, trailing zeros dropped (80,6 · 12.405 · 80,62 · 100)."""


MAX_DECIMALS = 2


def shown_decimals(value: float) -> int:
    """How many decimals the display keeps for this value (0, 1 or 2)."""
    rounded = round(float(value), MAX_DECIMALS)
    for decimals in range(MAX_DECIMALS):
        if abs(round(rounded, decimals) - rounded) < 1e-9:
            return decimals
    return MAX_DECIMALS


def shown_value(value: float) -> float | int:
    """The number exactly as displayed (what the spreadsheet cell holds)."""
    decimals = shown_decimals(value)
    rounded = round(float(value), decimals)
    return int(rounded) if decimals == 0 else rounded


def vn_number(value: float | int | None) -> str:
    if value is None:
        return "—"
    decimals = shown_decimals(value)
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def parse_vn_number(text: str) -> float:
    """The inverse of vn_number (and of the page's "80,6 %"): for tests and imports of what was shown."""
    cleaned = text.replace("%", "").replace("\u00a0", " ").strip().split(" ")[0]
    return float(cleaned.replace(".", "").replace(",", "."))


def excel_format(decimals: int, suffix: str = "") -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return pattern + (f'" {suffix}"' if suffix else "")

