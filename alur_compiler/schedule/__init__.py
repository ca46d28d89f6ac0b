"""When jobs fire: the preview behind `alurc schedule` (preview.py)."""
