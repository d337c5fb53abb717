"""Study mode: spaced repetition with FSRS between quizzes, and progress."""
