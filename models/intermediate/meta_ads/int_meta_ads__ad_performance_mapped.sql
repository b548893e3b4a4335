{{ config(enabled=var('meta_ads__enabled', true)) }}

{#- Meta action types counted as conversions (checked for double counting). -#}
{%- set conversion_action_types = argo.meta_ads_conversion_action_types() -%}

with

insights as (

    select * from {{ ref('stg_meta_ads__ads_insights') }}

),

actions as (

    select * from {{ ref('stg_meta_ads__ads_insights_actions') }}

),

conversion_actions as (

    select
        account_id,
        ad_id,
        date_day,
        sum(coalesce(action_count, 0)) as conversions,
        sum(coalesce(action_value, 0)) as conversions_value

    from actions
    where {{ argo.is_in_list('action_type', conversion_action_types) }}
    group by 1, 2, 3

),

mapped as (

    select
        insights.date_day,
        'meta_ads' as platform,
        insights.source_relation,
        insights.account_id,
        insights.campaign_id,
        insights.ad_group_id,
        insights.ad_id,
        insights.currency_code,
        insights.impressions,
        insights.clicks,
        insights.spend,
        insights.reach,
        coalesce(conversion_actions.conversions, 0) as conversions,
        coalesce(conversion_actions.conversions_value, 0) as conversions_value

    from insights
    left join conversion_actions
        on
            insights.account_id = conversion_actions.account_id
            and insights.ad_id = conversion_actions.ad_id
            and insights.date_day = conversion_actions.date_day

)

select * from mapped
