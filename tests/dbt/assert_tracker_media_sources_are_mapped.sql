{{ config(severity='warn') }}

-- Every non-organic media source a tracker reports should be in the seed
-- tracker_media_sources, or its installs and revenue join no campaign. Warns with each
-- unmapped source and what it carries.

select
    tracker,
    media_source,
    sum(installs) as installs,
    sum(revenue) as revenue

from {{ ref('fct_tracker_performance_daily') }}
where platform is null and not is_organic
group by 1, 2
