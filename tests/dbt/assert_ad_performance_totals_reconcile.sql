-- Every layer reports the same totals per day and platform: the union of the platforms'
-- mappings, the ad-level fact and the campaign report (and the first two the same number
-- of ad rows). Returns the days and platforms where a layer differs or is missing. On the
-- days the run rewrote in the fact (all of them on a full build: argo.rebuilt_days_predicate).
{%- set rebuilt = argo.rebuilt_days_predicate(ref('fct_ad_performance_daily')) %}

with

intermediate_totals as (

    select
        date_day,
        platform,
        'intermediate' as layer,
        count(*) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('int_ad_performance_unioned') }}
    where {{ rebuilt }}
    group by 1, 2

),

fact_totals as (

    select
        date_day,
        platform,
        'fact' as layer,
        count(*) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('fct_ad_performance_daily') }}
    where {{ rebuilt }}
    group by 1, 2

),

report_totals as (

    select
        date_day,
        platform,
        'report' as layer,
        cast(null as {{ dbt.type_bigint() }}) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('rpt_campaign_performance_daily') }}
    where {{ rebuilt }}
    group by 1, 2

),

all_totals as (

    select * from intermediate_totals
    union all
    select * from fact_totals
    union all
    select * from report_totals

),

compared as (

    select
        date_day,
        platform,
        count(*) as layers,
        max(ad_rows) - min(ad_rows) as ad_rows_spread,
        max(spend) - min(spend) as spend_spread,
        max(impressions) - min(impressions) as impressions_spread,
        max(clicks) - min(clicks) as clicks_spread,
        max(conversions) - min(conversions) as conversions_spread,
        max(conversions_value) - min(conversions_value) as conversions_value_spread

    from all_totals
    group by 1, 2

)

select *
from compared
where
    layers != 3
    or ad_rows_spread != 0
    or spend_spread != 0
    or impressions_spread != 0
    or clicks_spread != 0
    -- conversions are doubles: summed in another order they may differ in the last bits
    or conversions_spread > 0.000001
    or conversions_value_spread != 0
