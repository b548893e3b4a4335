{#- Daily keyword delivery and counted conversions of the enabled search platforms. -#}
{%- set delivery_columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'keyword_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'impressions', 'data_type': dbt.type_bigint()},
    {'name': 'clicks', 'data_type': dbt.type_bigint()},
    {'name': 'spend', 'data_type': dbt.type_numeric()},
] -%}
{%- set conversion_columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'keyword_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'conversion_type', 'data_type': dbt.type_string()},
    {'name': 'conversions', 'data_type': argo.type_double()},
    {'name': 'conversions_value', 'data_type': dbt.type_numeric()},
] -%}
{%- set search_platforms = var('argo__search_ad_platforms') -%}

with

delivery as (

    {{ argo.union_ad_platforms(
        'keyword_performance_mapped', delivery_columns, only=search_platforms
    ) }}

),

conversions as (

    {{ argo.union_ad_platforms(
        'keyword_conversions_mapped', conversion_columns, only=search_platforms
    ) }}

),

counted_types as (

    select
        platform,
        conversion_type

    from {{ ref('ad_conversion_types') }}
    where is_counted

),

counted_conversions as (

    select conversions.*
    from conversions
    inner join counted_types
        on
            conversions.platform = counted_types.platform
            and conversions.conversion_type = counted_types.conversion_type

),

-- Stacked and summed as in int_ad_performance_unioned: no total is lost either way.
stacked as (

    select
        date_day,
        platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        keyword_id,
        currency_code,
        impressions,
        clicks,
        spend,
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
        keyword_id,
        currency_code,
        cast(0 as {{ dbt.type_bigint() }}) as impressions,
        cast(0 as {{ dbt.type_bigint() }}) as clicks,
        cast(0 as {{ dbt.type_numeric() }}) as spend,
        conversions,
        conversions_value

    from counted_conversions

),

summed as (

    select
        date_day,
        platform,
        max(source_relation) as source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        keyword_id,
        currency_code,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(spend) as {{ dbt.type_numeric() }}) as spend,
        cast(sum(conversions) as {{ argo.type_double() }}) as conversions,
        cast(sum(conversions_value) as {{ dbt.type_numeric() }}) as conversions_value

    from stacked
    group by 1, 2, 4, 5, 6, 7, 8

)

select * from summed
