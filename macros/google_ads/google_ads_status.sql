{#
    Google Ads' status labels (ENABLED, PAUSED, REMOVED; UNKNOWN and UNSPECIFIED for
    values the API version does not name) in ARGO's status vocabulary: ACTIVE, PAUSED,
    DELETED. An unnamed status counts as PAUSED: not delivering as far as ARGO knows.
#}
{% macro google_ads_status(column) -%}
    case {{ column }}
        when 'ENABLED' then 'ACTIVE'
        when 'REMOVED' then 'DELETED'
        else 'PAUSED'
    end
{%- endmacro %}
