module nomaddbanchor

go 1.19
