{{ config(enabled=var('naver_searchad__enabled', true)) }}

-- Naver Search Ad's mapping neither drops nor invents delivery or conversions: per day,
-- the staged report rows and the mapped ad-days have the same impressions, clicks, cost
-- as charged (spend_including_vat on VAT-inclusive days, spend before), conversions and
-- sales; the keyword-days have the same as the staged rows from a keyword; and spend
-- before VAT is cost / (1 + rate) to within its rounding (0.0001 won per ad-day).
-- Returns the days that differ, with the layer that differs.

{%- set vat_rate = var('naver_searchad__vat_rate') %}

with

staged as (

    select
        date_day,
        'ad' as layer,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(reported_cost) as amount

    from {{ ref('stg_naver_searchad__ad_stats') }}
    group by 1, 2

    union all

    select
        date_day,
        'keyword' as layer,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(reported_cost) as amount

    from {{ ref('stg_naver_searchad__ad_stats') }}
    where keyword_id is not null
    group by 1, 2

),

mapped as (

    select
        date_day,
        'ad' as layer,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(
            case
                when date_day >= cast('{{ var("naver_searchad__vat_included_from") }}' as date)
                    then spend_including_vat
                else spend
            end
        ) as amount

    from {{ ref('int_naver_searchad__ad_performance_mapped') }}
    group by 1, 2

),

keyword_spend as (

    select
        date_day,
        'keyword' as layer,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from {{ ref('int_naver_searchad__keyword_performance_mapped') }}
    group by 1, 2

),

ad_spend as (

    select
        date_day,
        count(*) as ad_days,
        sum(spend) as spend,
        sum(spend_including_vat) as spend_including_vat

    from {{ ref('int_naver_searchad__ad_performance_mapped') }}
    group by 1

),

conversions as (

    select
        date_day,
        'conversion' as layer,
        sum(conversions) as impressions,
        cast(0 as {{ dbt.type_bigint() }}) as clicks,
        sum(conversions_value) as amount

    from {{ ref('stg_naver_searchad__ad_conversion_stats') }}
    group by 1, 2

    union all

    select
        date_day,
        'conversion' as layer,
        sum(conversions) as impressions,
        cast(0 as {{ dbt.type_bigint() }}) as clicks,
        sum(conversions_value) as amount

    from {{ ref('int_naver_searchad__ad_conversions_mapped') }}
    group by 1, 2

),

all_totals as (

    select * from staged
    union all
    select * from mapped
    union all
    select
        date_day,
        layer,
        impressions,
        clicks,
        cast(null as {{ dbt.type_numeric() }}) as amount
    from keyword_spend
    union all
    select * from conversions

),

compared as (

    select
        date_day,
        layer,
        count(*) as layers,
        max(impressions) - min(impressions) as impressions_spread,
        max(clicks) - min(clicks) as clicks_spread,
        max(amount) - min(amount) as amount_spread

    from all_totals
    group by 1, 2

),

-- Rounding spend to 0.0001 per ad-day moves a day's total by at most 0.00005 per ad-day.
vat_check as (

    select
        date_day,
        'vat' as layer,
        2 as layers,
        0 as impressions_spread,
        0 as clicks_spread,
        abs(spend * (1 + {{ vat_rate }}) - spend_including_vat)
        - ad_days * 0.00005 * (1 + {{ vat_rate }}) as amount_spread

    from ad_spend
    where date_day >= cast('{{ var("naver_searchad__vat_included_from") }}' as date)

)

select *
from compared
where
    layers != 2
    or impressions_spread != 0
    or clicks_spread != 0
    or (layer != 'keyword' and amount_spread > 0.000001)

union all

select *
from vat_check
where amount_spread > 0.000001
