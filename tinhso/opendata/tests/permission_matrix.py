MATRIX: dict = {}
