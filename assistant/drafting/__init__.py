"""County/city 质量月 plan drafting from the year's national and provincial notices.

Modules: guidance (which notices govern, read into role-tagged paragraphs), template (the plan
structure learned from a local plan), roster (departments and who leads what), voice
(re-voicing 省 → 市/县), activities + schedule (重点活动安排 and the 计划安排表), compose (the
prose sections), factcheck, polish (optional LLM), export (Markdown / Word), build
(`draft_plan`), cli, ui (the Gradio tab).
"""
from assistant.drafting.build import DraftError, draft_plan
from assistant.drafting.export import write_docx
from assistant.drafting.factcheck import fact_check
from assistant.drafting.model import PlanDraft

__all__ = ["PlanDraft", "DraftError", "draft_plan", "fact_check", "write_docx"]
