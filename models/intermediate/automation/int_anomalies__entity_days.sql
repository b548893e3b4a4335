-- One row per scope, entity and day: the campaign days of int_anomalies__campaign_days
-- summed to the campaign, account, platform (advertiser x platform) and advertiser.
-- An entity's days are those of its campaigns' spines.
{%- set scopes = [
    ('advertiser', 1, ['advertiser_id']),
    ('platform', 2, ['advertiser_id', 'platform']),
    ('account', 3, ['advertiser_id', 'platform', 'account_id']),
    ('campaign', 4, ['advertiser_id', 'platform', 'account_id', 'campaign_id']),
] %}
{%- set keys = ['advertiser_id', 'platform', 'account_id', 'campaign_id'] %}
with

campaign_days as (

    select * from {{ ref('int_anomalies__campaign_days') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

-- Days on which the warehouse has any performance row at all (data_missing only speaks
-- of an account's missing day when others arrived).
warehouse_days as (

    select
        date_day,
        count(distinct account_id) as accounts_with_rows

    from campaign_days
    where has_rows
    group by 1

),

{% for scope, level, scope_keys in scopes %}
    {{ scope }}_rollup as (

        select
            '{{ scope }}' as scope,
            {{ level }} as scope_level,
            date_day,
            {% for key in keys -%}
                {% if key in scope_keys -%}
                    {{ key }},
                {%- else -%}
                    cast(null as {{ dbt.type_string() }}) as {{ key }},
                {%- endif %}
            {% endfor -%}
            max(advertiser_name) as advertiser_name,
            max(campaign_name) as campaign_name,
            max(day_of_week) as day_of_week,
            max(as_of_day) as as_of_day,
            max(case when is_holiday then 1 else 0 end) = 1 as is_holiday,
            max(case when is_live then 1 else 0 end) = 1 as is_live,
            max(case when is_live and has_budget then 1 else 0 end) = 1 as is_live_with_budget,
            count(*) as campaigns_in_spine,
            sum(case when has_rows then 1 else 0 end) as campaigns_with_rows,
            sum(spend) as spend,
            sum(impressions) as impressions,
            sum(clicks) as clicks,
            sum(conversions) as conversions,
            sum(conversions_value) as conversions_value,
            sum(tracker_installs) as tracker_installs,
            sum(platform_installs) as platform_installs

        from campaign_days
        group by
            {% for key in scope_keys %}{{ key }},
            {% endfor %}date_day

    ),

{% endfor %}
unioned as (

    {% for scope, level, scope_keys in scopes %}
        select * from {{ scope }}_rollup
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        unioned.date_day,
        unioned.scope,
        unioned.scope_level,
        unioned.advertiser_id,
        unioned.advertiser_name,
        unioned.platform,
        unioned.account_id,
        unioned.campaign_id,
        unioned.day_of_week,
        unioned.as_of_day,
        unioned.is_holiday,
        unioned.is_live,
        unioned.is_live_with_budget,
        unioned.campaigns_in_spine,
        unioned.campaigns_with_rows,
        unioned.spend,
        unioned.impressions,
        unioned.clicks,
        unioned.conversions,
        unioned.conversions_value,
        unioned.tracker_installs,
        unioned.platform_installs,
        unioned.scope
        || '|' || coalesce(unioned.advertiser_id, '')
        || '|' || coalesce(unioned.platform, '')
        || '|' || coalesce(unioned.account_id, '')
        || '|' || coalesce(unioned.campaign_id, '') as entity_key,
        case unioned.scope
            when 'advertiser' then unioned.advertiser_name
            when 'platform' then unioned.advertiser_name || ' · ' || unioned.platform
            when 'account' then coalesce(accounts.account_name, unioned.account_id)
            else coalesce(unioned.campaign_name, unioned.campaign_id)
        end as entity_name,
        coalesce(accounts.is_in_reporting_timezone, true) as is_in_reporting_timezone,
        coalesce(warehouse_days.accounts_with_rows, 0) as warehouse_accounts_with_rows

    from unioned
    left join accounts
        on
            unioned.platform = accounts.platform
            and unioned.account_id = accounts.account_id
    left join warehouse_days
        on unioned.date_day = warehouse_days.date_day

)

select * from final
