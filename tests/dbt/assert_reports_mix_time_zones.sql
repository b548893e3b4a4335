{{ config(severity='warn') }}

-- date_day is each account's reporting day in its own time zone. A report that sums
-- accounts of several time zones adds up different 24-hour spans under one date: this
-- warns with every account with delivery outside var('reporting_timezone').

select
    accounts.platform,
    accounts.account_id,
    accounts.timezone_name,
    '{{ var("reporting_timezone") }}' as reporting_timezone

from {{ ref('dim_ad_accounts') }} as accounts
where
    not accounts.is_in_reporting_timezone
    and exists (
        select 1
        from {{ ref('fct_ad_performance_daily') }} as performance
        where
            performance.platform = accounts.platform
            and performance.account_id = accounts.account_id
    )
