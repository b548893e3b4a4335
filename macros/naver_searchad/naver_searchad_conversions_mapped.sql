{#
    Naver Search Ad's conversions in ARGO's columns, one row per day, `object_id` (ad_id
    or keyword_id) and conversion type, in the account's currency: the AD_CONVERSION
    report's rows (per media and device) summed, those without the object left out (rows
    from no keyword). `conversion_stats` and `accounts` are the staging relation and the
    accounts mapping.
#}
{% macro naver_searchad_conversions_mapped(conversion_stats, accounts, object_id) -%}
with

conversion_stats as (

    select * from {{ conversion_stats }}

),

accounts as (

    select * from {{ accounts }}

),

by_type as (

    select
        date_day,
        account_id,
        campaign_id,
        ad_group_id,
        {{ object_id }},
        conversion_type,
        max(source_relation) as source_relation,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from conversion_stats
    where {{ object_id }} is not null
    group by 1, 2, 3, 4, 5, 6

),

mapped as (

    select
        by_type.date_day,
        'naver_searchad' as platform,
        by_type.source_relation,
        by_type.account_id,
        by_type.campaign_id,
        by_type.ad_group_id,
        by_type.{{ object_id }},
        accounts.currency_code,
        by_type.conversion_type,
        by_type.conversions,
        by_type.conversions_value

    from by_type
    left join accounts
        on by_type.account_id = accounts.account_id

)

select * from mapped
{%- endmacro %}
