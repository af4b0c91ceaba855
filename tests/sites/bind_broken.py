"""An extension that fails while importing."""
raise RuntimeError("extension exploded")
