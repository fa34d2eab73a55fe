package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/gemini"
	"github.com/resonant-journal/resonant/internal/analysis/openai"
	"github.com/resonant-journal/resonant/internal/config"
)

// externalAnalyzer returns the configured LLM analyzer: Gemini when it has
// a key, else an OpenAI-compatible endpoint when it has a base URL, else
// nil (every entry then gets the offline analyzer, with fallbackReason
// not_configured).
func externalAnalyzer(ctx context.Context, cfg *config.Config, log *slog.Logger) (analysis.Analyzer, error) {
	if cfg.GeminiAPIKey != "" {
		g, err := gemini.New(ctx, gemini.Config{APIKey: cfg.GeminiAPIKey, BaseURL: cfg.GeminiBaseURL, Model: cfg.GeminiModel, Timeout: cfg.AnalysisTimeout})
		if err != nil {
			return nil, fmt.Errorf("configure Gemini: %w", err)
		}
		log.Info("analysis provider", slog.String("analyzer", g.Name()))
		return g, nil
	}
	if cfg.OpenAIBaseURL != "" {
		o, err := openai.New(openai.Config{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, Model: cfg.OpenAIModel, Timeout: cfg.AnalysisTimeout})
		if err != nil {
			return nil, fmt.Errorf("configure the OpenAI-compatible analyzer: %w", err)
		}
		log.Info("analysis provider", slog.String("analyzer", o.Name()))
		return o, nil
	}
	log.Info("analysis provider", slog.String("analyzer", "offline only (no AI provider configured)"))
	return nil, nil
}

// providerDescription names the external AI provider for the privacy text
// of the web pages ("" when entries are only analysed offline).
func providerDescription(cfg *config.Config) string {
	switch {
	case cfg.GeminiAPIKey != "":
		return "Google's Gemini API"
	case cfg.OpenAIBaseURL != "":
		if u, err := url.Parse(cfg.OpenAIBaseURL); err == nil && u.Host != "" {
			return "the AI service at " + u.Host
		}
		return "an OpenAI-compatible AI service"
	default:
		return ""
	}
}
