"""English translations of canonical code values (the data keeps the Chinese form)."""

CODE_EN: dict[str, str] = {}
