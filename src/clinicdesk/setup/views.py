"""First run (/setup/start/) and the setup guide (/setup/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Perm, require

from . import services
from .forms import FirstRunForm
from .selectors import STEP_KEYS, first_run_needed, setup_steps

SKIPPED = "clinicdesk_setup_skipped"
GUIDE_NEXT = "clinicdesk_setup_guide_next"  # read by the home page: after two-factor set-up, go on to the guide


@require_http_methods(["GET", "POST"])
def first_run(request: HttpRequest) -> HttpResponse:
    if not first_run_needed():
        raise Http404
    form = FirstRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "password_again"}
        try:
            user = services.first_admin_create(**values)
        except NotFound as error:
            raise Http404 from error
        except ValidationFailed as error:
            for name, problems in (error.fields or {}).items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
            if not error.fields:
                form.add_error(None, error.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[GUIDE_NEXT] = True
            messages.success(request, _("Your administrator account is ready. Set up two-factor sign-in next, "
                                        "then the practice."))
            return redirect("setup:guide")
    status = 422 if request.method == "POST" else 200
    return render(request, "setup/first_run.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET"])
def guide(request: HttpRequest) -> HttpResponse:
    steps = setup_steps(actor=request.user)
    request.session.pop(GUIDE_NEXT, None)
    skipped = set(request.session.get(SKIPPED, []))
    current = next((s for s in steps if s.done is False and s.key not in skipped), None)
    counted = [s for s in steps if s.done is not None]
    return render(request, "setup/guide.html", {
        "steps": steps, "skipped": skipped, "current": current,
        "done_count": sum(1 for s in counted if s.done), "total": len(counted),
        "ready": not any(s.needed_to_book and s.done is False for s in steps),
    })


@login_required
@require_POST
def step_skip(request: HttpRequest, key: str) -> HttpResponse:
    """Skip a step for now (remembered for this session); it stays on the list to come back to."""
    require(request.user, Perm.PRACTICE_ADMIN)
    if key not in STEP_KEYS:
        raise Http404
    skipped = [k for k in request.session.get(SKIPPED, []) if k != key] + [key]
    request.session[SKIPPED] = skipped
    messages.success(request, _("Step skipped for now; it stays on the list to come back to."))
    return redirect("setup:guide")
