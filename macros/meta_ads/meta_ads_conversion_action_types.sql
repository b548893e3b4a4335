{#
    The Meta action types counted as conversions: var('meta_ads__conversion_action_types')
    as a list, checked. Meta reports some conversions twice, once under an aggregate type
    and again under the type of each channel it aggregates (`purchase` = the pixel's
    `offsite_conversion.fb_pixel_purchase` + the app's `app_custom_event.fb_mobile_purchase`
    + on-Meta purchases ...). Listing an aggregate together with one of its parts would
    count the same conversion twice, so that stops compilation with the pair named.
#}
{% macro meta_ads_conversion_action_types() -%}
    {%- set action_types = var('meta_ads__conversion_action_types', []) -%}
    {%- if action_types is string -%}
        {%- set action_types = [action_types] -%}
    {%- endif -%}
    {%- set parts_of_aggregate = argo.meta_ads_aggregate_action_types() -%}
    {%- for aggregate in action_types -%}
        {%- for part in parts_of_aggregate.get(aggregate, []) -%}
            {%- if part in action_types -%}
                {{ exceptions.raise_compiler_error(
                    "meta_ads__conversion_action_types lists both '" ~ aggregate ~ "' and '"
                    ~ part ~ "', but Meta's '" ~ aggregate ~ "' already includes '" ~ part
                    ~ "': every such conversion would be counted twice. Keep one of the two."
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(action_types) }}
{%- endmacro %}

{#
    Meta's aggregate action types and the action types each one already counts
    (Marketing API, Ads Action Stats). Extend it when a new overlapping pair turns up.
#}
{% macro meta_ads_aggregate_action_types() -%}
    {%- set purchase_parts = [
        'offsite_conversion.fb_pixel_purchase',
        'app_custom_event.fb_mobile_purchase',
        'onsite_web_purchase',
        'onsite_web_app_purchase',
        'onsite_conversion.purchase',
        'web_in_store_purchase',
        'web_app_in_store_purchase',
        'offline_conversion.purchase',
    ] -%}
    {%- set lead_parts = [
        'offsite_conversion.fb_pixel_lead',
        'onsite_conversion.lead_grouped',
        'onsite_web_lead',
        'leadgen_grouped',
    ] -%}
    {{ return({
        'omni_purchase': ['purchase'] + purchase_parts,
        'purchase': purchase_parts,
        'lead': lead_parts,
        'omni_app_install': ['mobile_app_install'],
    }) }}
{%- endmacro %}
