-- A counted conversion type whose aggregate (or the aggregate's aggregate) is counted too
-- would count the same conversions twice. Returns each such pair from the seed.

with

conversion_types as (

    select * from {{ ref('ad_conversion_types') }}

),

ancestors as (

    select
        child.platform,
        child.conversion_type,
        child.is_counted,
        parent.conversion_type as aggregate_type,
        parent.is_counted as is_aggregate_counted

    from conversion_types as child
    inner join conversion_types as parent
        on
            child.platform = parent.platform
            and child.part_of_conversion_type = parent.conversion_type

    union all

    select
        child.platform,
        child.conversion_type,
        child.is_counted,
        grandparent.conversion_type as aggregate_type,
        grandparent.is_counted as is_aggregate_counted

    from conversion_types as child
    inner join conversion_types as parent
        on
            child.platform = parent.platform
            and child.part_of_conversion_type = parent.conversion_type
    inner join conversion_types as grandparent
        on
            parent.platform = grandparent.platform
            and parent.part_of_conversion_type = grandparent.conversion_type

)

select
    platform,
    conversion_type,
    aggregate_type

from ancestors
where is_counted and is_aggregate_counted
