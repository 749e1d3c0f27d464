module github.com/windc-go/windc

go 1.26.0

require (
	github.com/beevik/etree v1.8.1
	github.com/google/go-cmp v0.7.0
	github.com/leanovate/gopter v0.2.11
	golang.org/x/net v0.62.0
)

require golang.org/x/text v0.43.0 // indirect
