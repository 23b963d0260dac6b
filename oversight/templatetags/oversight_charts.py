from django import template

from oversight.charts import bar_chart_svg, legend_swatch, line_chart_svg

register = template.Library()


@register.simple_tag
def line_chart(chart):
    return line_chart_svg(chart)


@register.simple_tag
def bar_chart(chart):
    return bar_chart_svg(chart)


@register.simple_tag
def swatch(index, colour="", bars=False):
    return legend_swatch(index, colour=colour, bars=bars)
