"""Plan drafting entry points (the implementation lives in assistant/drafting/)."""
from assistant.drafting import PlanDraft, DraftError, draft_plan, fact_check, write_docx
from assistant.drafting.cli import run_draft_cli

__all__ = ["PlanDraft", "DraftError", "draft_plan", "fact_check", "run_draft_cli", "write_docx"]
