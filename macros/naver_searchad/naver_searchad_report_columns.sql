{#
    The dimension columns of Naver Search Ad's stat reports (AD and AD_CONVERSION): the
    report day and the ids of customer, campaign, ad group, keyword and ad, then the
    business channel, media and device. Naver writes "-" for the keyword of rows that
    came from no keyword (shopping, brand search): null here.
#}
{% macro naver_searchad_report_columns() -%}
    cast(stat_date as date) as date_day,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(
            case when trim(keyword_id) != '-' then keyword_id end as {{ dbt.type_string() }}
        ) as keyword_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(business_channel_id as {{ dbt.type_string() }}) as business_channel_id,
        cast(media_code as {{ dbt.type_string() }}) as media_code,
        cast(device as {{ dbt.type_string() }}) as device
{%- endmacro %}
