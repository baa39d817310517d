package store

import (
	"encoding/json"
	"fmt"

	"gloss/shared/model"
)

func encodeSettings(s model.Settings) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("store: encode settings: %w", err)
	}
	return string(b), nil
}

func decodeSettings(projectID int64, s string) (model.Settings, error) {
	var out model.Settings
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return out, fmt.Errorf("store: project %d settings: %w", projectID, err)
	}
	return out, nil
}
