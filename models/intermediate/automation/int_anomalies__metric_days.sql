-- One row per scope, entity, day and metric: the metric's value that day (null when its
-- denominator is 0: a ratio of nothing is not a value) and its volume, the count the
-- baseline-volume gate reads. Money is in the reporting currency.
{%- set metrics = [
    ('spend', 'spend', 'spend'),
    ('impressions', 'impressions', 'impressions'),
    ('clicks', 'clicks', 'clicks'),
    ('cpc', argo.safe_divide('spend', 'clicks'), 'clicks'),
    ('ctr', argo.safe_divide('clicks', 'impressions'), 'impressions'),
    ('conversions', 'conversions', 'conversions'),
    ('cpa', argo.safe_divide('spend', 'conversions'), 'conversions'),
    ('roas', argo.safe_divide('conversions_value', 'spend'), 'spend'),
    ('tracker_installs', 'tracker_installs', 'tracker_installs'),
    ('install_gap', argo.safe_divide('tracker_installs', 'platform_installs') ~ ' - 1', 'platform_installs'),
] %}
with

entity_days as (

    select * from {{ ref('int_anomalies__entity_days') }}

),

final as (

    {% for metric, value, volume in metrics %}
        select
            date_day,
            scope,
            entity_key,
            '{{ metric }}' as metric,
            cast({{ value }} as {{ argo.type_double() }}) as value,  -- noqa: RF04
            cast({{ volume }} as decimal(38, 6)) as volume,
            day_of_week,
            is_holiday,
            campaigns_in_spine,
            spend,
            clicks,
            conversions

        from entity_days
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
