"""Gradebook: scores across quizzes, quiz statistics and CSV exports."""
