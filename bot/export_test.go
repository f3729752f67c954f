package bot

// ParseSendAnswer exposes parseSendAnswer to the black-box tests.
var ParseSendAnswer = parseSendAnswer
