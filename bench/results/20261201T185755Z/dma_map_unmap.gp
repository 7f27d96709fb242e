set terminal pngcairo size 1100,600 font "sans,10" noenhanced
set output "dma_map_unmap.png"
set title "In-guest 4 KiB dma_map + dma_unmap pairs per second (log scale)"
set key outside right top vertical
set grid ytics
set linetype 9 linecolor rgb "#a0522d" pointtype 9
set linetype 10 linecolor rgb "#808080" pointtype 10
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set ylabel "pairs/s"
set logscale y
set xtics rotate by -20 noenhanced
unset key
plot "dma_map_unmap.dat" using 2:3:4:xtic(1)
