-- Conversions in fct_ad_performance_daily per day and platform are exactly the counted
-- conversion types of int_ad_conversions_unioned: none lost, none counted twice, none of
-- an uncounted type added. Returns the days and platforms that differ. On the days the
-- run rewrote in the fact (all of them on a full build: argo.rebuilt_days_predicate).
{%- set rebuilt = argo.rebuilt_days_predicate(ref('fct_ad_performance_daily')) %}

with

counted as (

    select
        date_day,
        platform,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('int_ad_conversions_unioned') }}
    where is_counted and {{ rebuilt }}
    group by 1, 2

),

in_fact as (

    select
        date_day,
        platform,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('fct_ad_performance_daily') }}
    where {{ rebuilt }}
    group by 1, 2

)

select
    in_fact.date_day,
    in_fact.platform,
    in_fact.conversions as fact_conversions,
    counted.conversions as counted_conversions,
    in_fact.conversions_value as fact_conversions_value,
    counted.conversions_value as counted_conversions_value

from in_fact
left join counted
    on
        in_fact.date_day = counted.date_day
        and in_fact.platform = counted.platform
where
    abs(in_fact.conversions - coalesce(counted.conversions, 0)) > 0.000001
    or in_fact.conversions_value != coalesce(counted.conversions_value, 0)
