"""Methods of the API itself: what exists, which scopes, who am I, what time is it."""

from django.utils import timezone

from kontora.rest.registry import Call, all_methods, find, method, scopes


@method("methods", "")
def list_methods(call: Call) -> list[str]:
    """The names of the methods this caller may use (all of them with `full=true`)."""
    every = all_methods()
    if call.params.flag("full"):
        return list(every)
    return [name for name, item in every.items() if not item.scope or item.scope in call.scopes]


@method("scope", "")
def list_scopes(call: Call) -> list[str]:
    """The caller's scopes; all scopes that exist with `full=true`."""
    return scopes() if call.params.flag("full") else sorted(call.scopes)


@method("method.get", "")
def method_get(call: Call) -> dict[str, bool]:
    found = find(str(call.params.get("name") or ""))
    return {"isExisting": found is not None,
            "isAvailable": found is not None and (not found.scope or found.scope in call.scopes)}  # fmt: skip


@method("app.info", "")
def app_info(call: Call) -> dict:
    if call.application is None:
        return {"SCOPE": sorted(call.scopes), "LICENSE": "selfhosted"}
    app = call.application
    return {"ID": app.pk, "CODE": app.code or app.client_id, "VERSION": app.version, "STATUS": "L",
            "INSTALLED": True, "PAYMENT_EXPIRED": "N", "DAYS": None, "LICENSE": "selfhosted"}  # fmt: skip


@method("server.time", "")
def server_time(call: Call) -> str:
    return timezone.localtime().isoformat(timespec="seconds")


@method("profile", "")
def profile(call: Call) -> dict:
    from kontora.accounts.selectors import is_administrator

    user = call.user
    offset = timezone.localtime().utcoffset()
    return {
        "ID": str(user.pk), "ADMIN": is_administrator(user), "NAME": user.first_name, "LAST_NAME": user.last_name,
        "PERSONAL_GENDER": "", "PERSONAL_PHOTO": user.photo.url if user.photo else "",
        "TIME_ZONE": user.time_zone or "", "TIME_ZONE_OFFSET": int(offset.total_seconds()) if offset else 0,
    }  # fmt: skip
