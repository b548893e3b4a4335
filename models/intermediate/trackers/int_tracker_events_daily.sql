{#-
    In-app events every enabled tracker attributes, per day, app, media source, campaign,
    country and event, with their revenue in the tracker's revenue currency. AppsFlyer:
    its raw in-app events report (revenue in USD, as AppsFlyer converts it); Adjust: the
    report service's <event>_events and <event>_revenue metrics.
-#}
{%- set parts = [] -%}
{%- if var('appsflyer__enabled', true) -%}{%- do parts.append('appsflyer') -%}{%- endif -%}
{%- if var('adjust__enabled', true) -%}{%- do parts.append('adjust') -%}{%- endif -%}

with

{% if 'appsflyer' in parts -%}
appsflyer as (

    select
        event_date as date_day,
        'appsflyer' as tracker,
        app_id,
        media_source,
        campaign_id,
        country_code,
        event_name,
        cast(count(*) as {{ dbt.type_bigint() }}) as event_count,
        cast(count(distinct appsflyer_id) as {{ dbt.type_bigint() }}) as unique_users,
        cast(sum(coalesce(event_revenue_usd, 0)) as {{ dbt.type_numeric() }}) as revenue,
        'USD' as revenue_currency_code

    from {{ ref('stg_appsflyer__in_app_events') }}
    group by 1, 2, 3, 4, 5, 6, 7

),
{% endif -%}

{% if 'adjust' in parts -%}
adjust as (

    select
        date_day,
        'adjust' as tracker,
        app_id,
        media_source,
        campaign_id,
        country_code,
        event_name,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
        cast(null as {{ dbt.type_bigint() }}) as unique_users,
        cast(sum(event_revenue) as {{ dbt.type_numeric() }}) as revenue,
        max(currency_code) as revenue_currency_code

    from {{ ref('stg_adjust__report_daily_events') }}
    group by 1, 2, 3, 4, 5, 6, 7

),
{% endif -%}

unioned as (

    {% for part in parts -%}
    select * from {{ part }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
    {%- if parts | length == 0 %}
    select
        cast(null as date) as date_day,
        cast(null as {{ dbt.type_string() }}) as tracker,
        cast(null as {{ dbt.type_string() }}) as app_id,
        cast(null as {{ dbt.type_string() }}) as media_source,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as event_name,
        cast(null as {{ dbt.type_bigint() }}) as event_count,
        cast(null as {{ dbt.type_bigint() }}) as unique_users,
        cast(null as {{ dbt.type_numeric() }}) as revenue,
        cast(null as {{ dbt.type_string() }}) as revenue_currency_code
    where 1 = 0
    {%- endif %}

)

select * from unioned
