"""Import every model so the metadata is complete for Alembic and create_all."""

from studyapp.attempts.models import Attempt, AttemptQuestion, ScoreChange  # noqa: F401
from studyapp.auth.models import (  # noqa: F401
    AccountEvent,
    LoginSession,
    OneTimeToken,
    StartupClaim,
    User,
)
from studyapp.banks.models import Bank, BankIssue, Question, QuestionVersion, Reading  # noqa: F401
from studyapp.classes.models import (  # noqa: F401
    ClassInvitation,
    Course,
    CourseInstructor,
    Enrollment,
)
from studyapp.db import Base  # noqa: F401
from studyapp.gradebook.models import GradeChange, GradeOverride  # noqa: F401
from studyapp.lti.models import (  # noqa: F401
    Context,
    LaunchState,
    LineItem,
    Platform,
    PlatformUser,
    ScoreSend,
    ToolKey,
)
from studyapp.quizzes.models import Accommodation, Quiz, QuizItem  # noqa: F401
from studyapp.study.models import CourseBank, StudyCard, StudyReview  # noqa: F401
