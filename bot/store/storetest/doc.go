// Package storetest is the contract every store.Store and
// store.MonitorState implementation passes: the in-memory ones in
// bot/store and the Redis one in bot/store/redis run the same suite. It
// imports neither go-redis nor a Redis test server.
package storetest
