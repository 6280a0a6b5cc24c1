module render_chart

go 1.19
