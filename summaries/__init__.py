"""The summarizer: one entry, summaries.services.summarize_lecture(lecture_id=...)."""
