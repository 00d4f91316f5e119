"""System checks for configuration mistakes that would only show up later, on another host."""

from django.core.checks import Warning, register

from kontora.core import env


@register(deploy=True)
def secret_key_shared(app_configs, **kwargs) -> list[Warning]:
    if env.is_distributed() and not env.text("KONTORA_SECRET_KEY"):
        return [
            Warning(
                "KONTORA_SECRET_KEY is not set in distributed mode.",
                hint="Each host would make its own key in var/secret_key and sessions would break between hosts; "
                "set the same KONTORA_SECRET_KEY everywhere.",
                id="kontora.W001",
            )
        ]
    return []
