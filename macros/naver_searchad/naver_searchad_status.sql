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

{#
    The columns every Naver Search Ad object (campaign, ad group, keyword, ad) carries
    beside its own: its state, from `status`, `userLock` and `delFlag` (landed as status,
    user_lock, deleted), and when it was registered and last edited:
    - naver_status: Naver's own status (ELIGIBLE, PAUSED, DELETED or why it cannot serve);
    - status: ARGO's status (naver_searchad_status);
    - is_active: ELIGIBLE, not locked and not deleted;
    - is_locked, is_deleted: the advertiser's lock and the delete flag, null as false;
    - created_at, updated_at: regTm and editTm in UTC.
#}
{% macro naver_searchad_object_columns() -%}
    cast(status as {{ dbt.type_string() }}) as naver_status,
        {{ argo.naver_searchad_status('status', 'user_lock', 'deleted') }} as status,
        coalesce(status = 'ELIGIBLE', false)
        and not coalesce(user_lock, false)
        and not coalesce(deleted, false) as is_active,
        coalesce(user_lock, false) as is_locked,
        coalesce(deleted, false) as is_deleted,
        {{ argo.to_utc_timestamp('registered_at') }} as created_at,
        {{ argo.to_utc_timestamp('edited_at') }} as updated_at
{%- endmacro %}
