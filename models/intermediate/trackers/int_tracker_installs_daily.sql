{#-
    Installs every enabled tracker attributes, per day, app, media source, campaign and
    country, in one column set. AppsFlyer: its raw installs report counted per install day
    (the aggregate reports carry campaign names only, raw rows the campaign id); Adjust:
    its report service rows. revenue_currency_code is the currency the tracker reports
    revenue in (AppsFlyer raw: USD; Adjust: the report currency).
-#}
{%- set parts = [] -%}
{%- if var('appsflyer__enabled', true) -%}{%- do parts.append('appsflyer') -%}{%- endif -%}
{%- if var('adjust__enabled', true) -%}{%- do parts.append('adjust') -%}{%- endif -%}

with

{% if 'appsflyer' in parts -%}
appsflyer as (

    select
        install_date as date_day,
        'appsflyer' as tracker,
        app_id,
        media_source,
        campaign_id,
        max(campaign_name) as campaign_name,
        country_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as installs,
        'USD' as revenue_currency_code

    from {{ ref('stg_appsflyer__installs') }}
    group by 1, 2, 3, 4, 5, 7

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
        max(campaign_name) as campaign_name,
        country_code,
        cast(sum(installs) as {{ dbt.type_bigint() }}) as installs,
        max(currency_code) as revenue_currency_code

    from {{ ref('stg_adjust__report_daily') }}
    group by 1, 2, 3, 4, 5, 7

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
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_bigint() }}) as installs,
        cast(null as {{ dbt.type_string() }}) as revenue_currency_code
    where 1 = 0
    {%- endif %}

)

select * from unioned
