{#
    The columns every row of AppsFlyer's raw-data reports (installs, in-app events) has:
    the install it belongs to (`install_time`, `appsflyer_id`) and its attribution
    (media source, campaign, ad set and ad ids, country, device platform), renamed to
    ARGO's names; the country code upper-cased.
#}
{% macro appsflyer_raw_data_columns() -%}
    cast(install_time as {{ dbt.type_timestamp() }}) as install_time,
        cast(appsflyer_id as {{ dbt.type_string() }}) as appsflyer_id,
        cast(media_source as {{ dbt.type_string() }}) as media_source,
        cast(campaign as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(adset_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(upper(country_code) as {{ dbt.type_string() }}) as country_code,
        cast(platform as {{ dbt.type_string() }}) as device_platform
{%- endmacro %}
