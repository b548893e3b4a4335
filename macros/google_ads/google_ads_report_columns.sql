{#
    The metric columns of Google Ads' daily performance reports (ad_group_ad and
    keyword_view rows), as GAQL names them: impressions, clicks and cost (missing read as
    0; `spend` is the cost in the account currency, `cost_micros` as Google sends it) and
    Google's own conversion metrics, kept for reference as `platform_conversions*` and
    `all_conversions*` (ARGO's conversions come from the conversion reports).
#}
{% macro google_ads_metric_columns() -%}
    cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(cost_micros, 0) as {{ dbt.type_bigint() }}) as cost_micros,
        cast(coalesce(cost, 0) as {{ dbt.type_numeric() }}) as spend,
        cast(conversions as {{ argo.type_double() }}) as platform_conversions,
        cast(conversions_value as {{ dbt.type_numeric() }}) as platform_conversions_value,
        cast(all_conversions as {{ argo.type_double() }}) as all_conversions,
        cast(all_conversions_value as {{ dbt.type_numeric() }}) as all_conversions_value
{%- endmacro %}

{#
    The columns of Google Ads' daily conversion reports (segmented by conversion action):
    the action's id, category and name, and its conversions and value, both the primary
    ones (`conversions`: actions marked primary) and all of them (`all_conversions`);
    missing read as 0.
#}
{% macro google_ads_conversion_columns() -%}
    cast(conversion_action_id as {{ dbt.type_string() }}) as conversion_action_id,
        cast(conversion_action_category as {{ dbt.type_string() }}) as conversion_action_category,
        cast(conversion_action_name as {{ dbt.type_string() }}) as conversion_action_name,
        cast(coalesce(conversions, 0) as {{ argo.type_double() }}) as primary_conversions,
        cast(coalesce(conversions_value, 0) as {{ dbt.type_numeric() }})
            as primary_conversions_value,
        cast(coalesce(all_conversions, 0) as {{ argo.type_double() }}) as all_conversions,
        cast(coalesce(all_conversions_value, 0) as {{ dbt.type_numeric() }})
            as all_conversions_value
{%- endmacro %}
