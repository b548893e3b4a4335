{#
    A Naver Search Ad object's state in ARGO's status vocabulary (ACTIVE, PAUSED,
    DELETED). Naver keeps three fields: `delFlag` (deleted), `userLock` (the advertiser's
    on/off switch: locked = paused) and `status` (ELIGIBLE when it can serve, else PAUSED,
    DELETED or a reason it cannot, such as a campaign's paused parent). Deleted wins, then
    the advertiser's lock; an object neither deleted nor locked is ACTIVE when ELIGIBLE and
    PAUSED otherwise (not serving, as far as Naver says).
#}
{% macro naver_searchad_status(status, user_lock, deleted) -%}
    case
        when coalesce({{ deleted }}, false) or {{ status }} = 'DELETED' then 'DELETED'
        when coalesce({{ user_lock }}, false) then 'PAUSED'
        when {{ status }} = 'ELIGIBLE' then 'ACTIVE'
        else 'PAUSED'
    end
{%- endmacro %}
