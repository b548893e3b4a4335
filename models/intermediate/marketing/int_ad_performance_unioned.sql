{#- ARGO's cross-platform delivery columns: every platform's mapping model has them. -#}
{%- set columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'ad_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'impressions', 'data_type': dbt.type_bigint()},
    {'name': 'clicks', 'data_type': dbt.type_bigint()},
    {'name': 'spend', 'data_type': dbt.type_numeric()},
    {'name': 'reach', 'data_type': dbt.type_bigint()},
] -%}

with

delivery as (

    {{ argo.union_ad_platforms('ad_performance_mapped', columns) }}

),

conversions as (

    select * from {{ ref('int_ad_conversions_unioned') }}
    where is_counted

),

-- Delivery rows and counted conversion rows stacked, then summed per ad-day: an ad-day
-- with delivery but no conversion has 0 conversions, and conversions a platform reports
-- on a day without delivery still count (with 0 impressions), so no total is lost.
stacked as (

    select
        date_day,
        platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        impressions,
        clicks,
        spend,
        reach,
        cast(0 as {{ argo.type_double() }}) as conversions,
        cast(0 as {{ dbt.type_numeric() }}) as conversions_value

    from delivery

    union all

    select
        date_day,
        platform,
        cast(null as {{ dbt.type_string() }}) as source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        cast(0 as {{ dbt.type_bigint() }}) as impressions,
        cast(0 as {{ dbt.type_bigint() }}) as clicks,
        cast(0 as {{ dbt.type_numeric() }}) as spend,
        cast(null as {{ dbt.type_bigint() }}) as reach,
        conversions,
        conversions_value

    from conversions

),

summed as (

    -- Types restated after each sum (DuckDB widens sums of decimals and integers).
    select
        date_day,
        platform,
        max(source_relation) as source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(spend) as {{ dbt.type_numeric() }}) as spend,
        cast(sum(reach) as {{ dbt.type_bigint() }}) as reach,
        cast(sum(conversions) as {{ argo.type_double() }}) as conversions,
        cast(sum(conversions_value) as {{ dbt.type_numeric() }}) as conversions_value

    from stacked
    group by 1, 2, 4, 5, 6, 7, 8

)

select * from summed
