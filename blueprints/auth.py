"""Log in and out (here or everywhere), and change one's password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from extensions import limiter, login_manager
from services import accounts

bp = Blueprint("auth", __name__)
# A cookie whose sign-in has ended (logged out, here or everywhere, or the password changed) is
# anonymous: pages send it to the login form.
login_manager.user_loader(accounts.signed_in_user)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute URL here would make the login page an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("leads.index")


def _failed(response) -> bool:
    return response.status_code != 302  # a sign-in that worked redirects


def _email_tried() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


# Failed sign-ins only count: per address (guessing from many machines) and per account.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], deduct_when=_failed, key_func=_email_tried)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("leads.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            accounts.start_sign_in(user)
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong email or password.", "error")
    return render_template("auth/login.html", form=form)


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=12, max=200)])
    repeat = PasswordField("New password again", validators=[EqualTo("new", "The two new passwords differ")])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password")
        else:
            accounts.change_password(current_user, form.new.data)
            flash("Password changed. Every other browser signed in as you has been signed out.", "success")
            return redirect(url_for("settings.index"))
    return render_template("auth/password.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_sign_in(current_user)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    accounts.end_every_sign_in(current_user)
    logout_user()
    flash("Signed out of every browser.", "success")
    return redirect(url_for("auth.login"))
