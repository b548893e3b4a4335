{{ config(enabled=var('meta_ads__enabled', true)) }}

with

actions as (

    select * from {{ ref('stg_meta_ads__ads_insights_actions') }}

),

insights as (

    select * from {{ ref('stg_meta_ads__ads_insights') }}

),

-- Meta's actions mix conversions with engagement (link_click, post_engagement, ...):
-- only the action types the dictionary knows are conversions.
meta_conversion_types as (

    select conversion_type
    from {{ ref('ad_conversion_types') }}
    where platform = 'meta_ads'

),

mapped as (

    select
        actions.date_day,
        'meta_ads' as platform,
        actions.source_relation,
        actions.account_id,
        insights.campaign_id,
        insights.ad_group_id,
        actions.ad_id,
        insights.currency_code,
        actions.action_type as conversion_type,
        coalesce(actions.action_count, 0) as conversions,
        coalesce(actions.action_value, 0) as conversions_value

    from actions
    inner join meta_conversion_types
        on actions.action_type = meta_conversion_types.conversion_type
    inner join insights
        on
            actions.account_id = insights.account_id
            and actions.ad_id = insights.ad_id
            and actions.date_day = insights.date_day

)

select * from mapped
