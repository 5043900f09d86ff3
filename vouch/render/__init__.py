"""Public objects to text and bytes (Jinja, Markdown, feeds, vCards, e-mail): writes no files."""
