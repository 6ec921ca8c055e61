package httpapi

// ConsoleEvent is consoleEvent, for the tests of package httpapi_test.
var ConsoleEvent = consoleEvent
