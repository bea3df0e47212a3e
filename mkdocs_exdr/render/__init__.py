"""Stage 4, render: the plan as Markdown pages and plan.json (no MkDocs)."""
