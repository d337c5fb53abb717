"""studyapp: classroom quizzes and spaced-repetition study from question banks kept in git."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from studyapp import db
from studyapp.attempts import sweep
from studyapp.core import templating
from studyapp.core.ids import IdConverter
from studyapp.extensions import csrf, limiter, login_manager
from studyapp.lti import setup as lti_setup
from studyapp.study import quiz_answers

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app: defaults < instance/config.py < STUDYAPP_* environment < test_config."""
    app = Flask(
        __name__,
        instance_path=instance_path
        or os.environ.get("STUDYAPP_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object("studyapp.config")
    app.config["QUESTIONS_DIR"] = str(PROJECT_ROOT / "questions")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("STUDYAPP")
    if test_config:
        app.config.update(test_config)
    _fill_instance_defaults(app)

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)
    _register_commands(app)
    templating.init_app(app)
    sweep.init_app(app)
    quiz_answers.init_app(app)
    lti_setup.init_app(app)

    from studyapp.auth.access import require_login
    from studyapp.core.security import add_security_headers

    app.before_request(require_login)
    app.after_request(add_security_headers)

    if app.config["AUTO_MIGRATE"]:
        from studyapp.migrate import upgrade

        upgrade(app.extensions["studyapp.engine"])
    if app.config["SYNC_BANKS_ON_START"]:
        from studyapp.banks.cli import sync_on_start

        sync_on_start(app)
    if app.config["ANNOUNCE_SETUP"] and _is_serving():
        from studyapp.auth.cli import announce_setup_link

        with app.app_context():
            announce_setup_link(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'studyapp.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        from studyapp.core.security import load_or_create_secret_key, refuse_unshared_key

        if _under_gunicorn():
            refuse_unshared_key()
        app.config["SECRET_KEY"] = load_or_create_secret_key(app)


def _register_blueprints(app: Flask) -> None:
    from studyapp.attempts.views import bp as attempts_bp
    from studyapp.auth.views import bp as auth_bp
    from studyapp.banks.formeditor.views import bp as bankform_bp
    from studyapp.banks.views import bp as banks_bp
    from studyapp.classes.views import bp as classes_bp
    from studyapp.core.views import bp as core_bp
    from studyapp.gradebook.views import bp as gradebook_bp
    from studyapp.lti.views import bp as lti_bp
    from studyapp.quizzes.views import bp as quizzes_bp
    from studyapp.study.views import bp as study_bp

    blueprints = (
        core_bp,
        auth_bp,
        classes_bp,
        banks_bp,
        bankform_bp,
        quizzes_bp,
        attempts_bp,
        study_bp,
        gradebook_bp,
        lti_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)
    if app.config["BENCH_ENDPOINTS"]:
        # bench/load.py's reference endpoint; never switched on in production.
        from studyapp.core import benchmark

        benchmark.init_app(app)


def _register_commands(app: Flask) -> None:
    from studyapp.attempts.cli import attempts_cli
    from studyapp.auth.cli import demo_command, setup_link_command
    from studyapp.banks.cli import banks_cli, readings_cli
    from studyapp.core.backup import backup_command
    from studyapp.gradebook.cli import export_cli
    from studyapp.lti.cli import lti_cli
    from studyapp.migrate import db_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(attempts_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(banks_cli)
    app.cli.add_command(readings_cli)
    app.cli.add_command(setup_link_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(lti_cli)


def _under_gunicorn() -> bool:
    # gunicorn's arbiter sets SERVER_SOFTWARE in its environment, which its workers inherit.
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")


def _is_serving() -> bool:
    """True under `flask run` or gunicorn, where a console link is useful."""
    argv = sys.argv[1:]
    return "run" in argv or "gunicorn" in Path(sys.argv[0]).name
